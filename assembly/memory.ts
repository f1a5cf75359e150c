// Memory is managed by the SDK (sdk/kernel/memory.ts): the engine never allocates.
// The SDK's allocator starts at the end of the static data.

/** First byte after the engine's static data; the SDK's allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}
