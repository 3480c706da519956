// What one HTTP exchange with a target was: plain types for the sender, the checks, the runner, reports and diff.

export interface OutgoingRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The exact bytes of the body as text, or undefined for no body. */
  body?: string;
}

export interface IncomingResponse {
  /** 0 when `closed`: there was no answer. */
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  bodyText: string;
  /**
   * The parsed body when it is JSON text, else undefined; the runner drops it once a body of over 64 KiB has been
   * judged (`isJson` still says what it was).
   */
  json: unknown;
  /**
   * Set when the runner kept only the start of a large body once it was judged (its retention budget was spent):
   * the body's size in bytes; `bodyText` is then that start.
   */
  bodyBytes?: number;
  /** Whether bodyText parsed as JSON. */
  isJson: boolean;
  durationMs: number;
  /**
   * The target closed the connection without a complete answer, and the request allowed that as its answer
   * (`sendRequest`'s `closeIsAnswer`): a server may refuse a body by closing instead of reading it.
   */
  closed?: { reason: string };
}

export interface Exchange {
  request: OutgoingRequest & { url: string };
  response: IncomingResponse;
}
