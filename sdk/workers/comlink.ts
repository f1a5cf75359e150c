/**
 * comlink, as the pool uses it: every import of comlink goes through this
 * module, which replaces comlink's handler of thrown values so that errors
 * keep their class, `code`, details and cause across the boundary (comlink's
 * own handler turns them into plain `Error`s).
 *
 * @module
 */
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import { deserializeError, serializeError, type SerializedError } from './protocol.js';

type ThrowHandler = Comlink.TransferHandler<{ value: unknown }, { error: SerializedError }>;

const builtin = Comlink.transferHandlers.get('throw') as unknown as ThrowHandler | undefined;
if (!builtin) throw new Error('comlink: no "throw" transfer handler to replace (comlink version changed?)');

const errorHandler: ThrowHandler = {
  canHandle: builtin.canHandle,
  serialize: ({ value }) => [{ error: serializeError(value) }, []],
  deserialize: ({ error }) => {
    throw deserializeError(error);
  },
};
Comlink.transferHandlers.set('throw', errorHandler as unknown as Comlink.TransferHandler<unknown, unknown>);

export const { expose, wrap, transfer, proxy, releaseProxy } = Comlink;
export type { Endpoint, Remote } from 'comlink/dist/esm/comlink.mjs';
