// comlink 4.4.2 ships its ES modules as .mjs next to .d.ts files TypeScript does
// not pair with them; the workers import the .mjs files (the UMD main entry fails
// from ESM in Node), typed here as the package's own declarations.
declare module 'comlink/dist/esm/comlink.mjs' {
  export * from 'comlink';
}
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  /** Wraps a worker_threads Worker or MessagePort (`on`/`off`/`postMessage`) as a comlink endpoint. */
  export default function nodeEndpoint(nep: {
    on(type: 'message', listener: (value: any) => void): unknown;
    off(type: 'message', listener: (value: any) => void): unknown;
    postMessage(message: any, transfer?: any): void;
    start?: () => void;
  }): Endpoint;
}
