/**
 * Base64 of bytes without Node's Buffer (works in browsers, workers and Node).
 *
 * @module
 */

/**
 * Bytes → base64 text.
 *
 * @example
 * ```ts
 * encodeBase64(new Uint8Array([1, 2, 3])); // "AQID"
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/**
 * Base64 text → bytes.
 *
 * @throws DOMException (InvalidCharacterError) on text that is not base64
 * @example
 * ```ts
 * decodeBase64('AQID'); // Uint8Array [1, 2, 3]
 * ```
 */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
