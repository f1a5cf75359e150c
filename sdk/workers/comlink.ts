/**
 * comlink, as the pool uses it: every import of comlink goes through this
 * module, which replaces comlink's handler of thrown values so that errors
 * keep their class, `code`, details and cause across the boundary (comlink's
 * own handler turns them into plain `Error`s).
 *
 * @module
 */
import * as ComlinkModule from 'comlink/dist/esm/comlink.mjs';
import type * as ComlinkTypes from 'comlink';
import { deserializeError, serializeError, type SerializedError } from './protocol.js';

// Values from the ES module build; types from the package's own entry, so the
// shipped declarations name only 'comlink' (which a consumer can resolve).
const Comlink = ComlinkModule as unknown as typeof ComlinkTypes;

type ThrowHandler = ComlinkTypes.TransferHandler<{ value: unknown }, { error: SerializedError }>;

const builtin = Comlink.transferHandlers.get('throw') as unknown as ThrowHandler | undefined;
if (!builtin) throw new Error('comlink: no "throw" transfer handler to replace (comlink version changed?)');

const errorHandler: ThrowHandler = {
  canHandle: builtin.canHandle,
  serialize: ({ value }) => [{ error: serializeError(value) }, []],
  deserialize: ({ error }) => {
    throw deserializeError(error);
  },
};
Comlink.transferHandlers.set('throw', errorHandler as unknown as ComlinkTypes.TransferHandler<unknown, unknown>);

export const expose: typeof ComlinkTypes.expose = Comlink.expose;
export const wrap: typeof ComlinkTypes.wrap = Comlink.wrap;
export const transfer: typeof ComlinkTypes.transfer = Comlink.transfer;
export const proxy: typeof ComlinkTypes.proxy = Comlink.proxy;
export type { Endpoint, Remote } from 'comlink';
