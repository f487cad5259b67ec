// Owns the client's import of the wire contracts (contracts/api.d.ts, shared with the server).
export type { Ack, CommentEvent, CommentJson, ErrorBody, PageData, SeqAdvanced, ThreadMerged } from '../contracts/api';
