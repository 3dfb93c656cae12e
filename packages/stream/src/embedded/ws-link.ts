import WebSocket from "ws";

import {
  StreamConnectionError,
  StreamError,
  StreamProtocolError,
  StreamTimeoutError,
  TopicExistsError,
  TopicNotFoundError,
  UnauthorizedError,
  EventTooLargeError,
  MalformedEventError,
  InvalidTopicNameError,
  StreamUnavailableError,
} from "../errors.js";
import type { ClientFrame, ServerFrame } from "@weir/protocol/stream";
import {
  MALFORMED_EVENT_PREFIX,
  PROTOCOL_VERSION,
  PROTOCOL_VERSION_PARAM,
  VERSION_MISMATCH_CLOSE_CODE,
} from "@weir/protocol/stream";

const zeroMask = (mask: Buffer): void => {
  mask.fill(0);
};

interface PendingRequest {
  resolve(frame: ServerFrame): void;
  reject(error: unknown): void;
}

/**
 * Maps an error frame from the server to the typed error of its code (the codes of
 * `@weir/protocol/stream`); a code this client does not know is a protocol error.
 */
export function errorFromFrame(
  frame: { code: string; message: string; known?: string[] },
  topic = "",
): StreamError {
  switch (frame.code) {
    case "WEIR_TOPIC_NOT_FOUND":
      return new TopicNotFoundError(topic, frame.known ?? []);
    case "WEIR_TOPIC_EXISTS":
      return new TopicExistsError(topic);
    case "WEIR_UNAUTHORIZED":
      return new UnauthorizedError(frame.message);
    case "WEIR_EVENT_TOO_LARGE": {
      const error = new EventTooLargeError(topic, 0, 0);
      error.message = frame.message;
      return error;
    }
    case "WEIR_MALFORMED_EVENT":
      return new MalformedEventError(
        frame.message.startsWith(MALFORMED_EVENT_PREFIX)
          ? frame.message.slice(MALFORMED_EVENT_PREFIX.length)
          : frame.message,
      );
    case "WEIR_INVALID_TOPIC_NAME": {
      const error = new InvalidTopicNameError("topic", topic);
      error.message = frame.message;
      return error;
    }
    case "WEIR_UNAVAILABLE":
      return new StreamUnavailableError(frame.message);
    default:
      return new StreamError("WEIR_PROTOCOL", frame.message);
  }
}

/**
 * One WebSocket to the server: sends frames, matches answers to requests by `r`, and hands other
 * frames to `onFrame` and binary delivery frames to `onDeliveries`. When it drops, every open
 * request fails with a retryable {@link StreamConnectionError}.
 */
export class WsLink {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, PendingRequest>();
  #nextRequest = 1;
  #closedError: StreamError | undefined;
  maxEventBytes = 0;

  private constructor(
    ws: WebSocket,
    private readonly onFrame: (frame: ServerFrame) => void,
    private readonly onDeliveries: (frame: Buffer) => void,
    private readonly onDrop: (link: WsLink) => void,
  ) {
    this.#ws = ws;
  }

  /** Opens a link and waits for the server's `hello`. */
  static open(
    url: string,
    apiKey: string | undefined,
    onFrame: (frame: ServerFrame) => void,
    onDeliveries: (frame: Buffer) => void,
    onDrop: (link: WsLink) => void,
  ): Promise<WsLink> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      target.searchParams.set(PROTOCOL_VERSION_PARAM, String(PROTOCOL_VERSION));
      const ws = new WebSocket(target, {
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
        perMessageDeflate: false,
        handshakeTimeout: 10_000,
        // A zero masking key, so that ws sends the frame bytes as they are instead of XOR-ing every
        // byte in JavaScript. Random keys protect proxies' caches from scripts running in browsers;
        // this client is a Node process talking to its own server (the ws option is made for this).
        generateMask: zeroMask,
      });
      const link = new WsLink(ws, onFrame, onDeliveries, onDrop);
      let greeted = false;
      ws.on("unexpected-response", (_request, response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        ws.terminate();
        reject(
          status === 401
            ? new UnauthorizedError(`The Weir server at ${url} refused the connection (401).`)
            : new StreamConnectionError(
                `The Weir server at ${url} answered ${status} to the stream upgrade.`,
              ),
        );
      });
      ws.on("error", (error) => {
        if (!greeted)
          reject(
            new StreamConnectionError(`Cannot reach the Weir server at ${url}: ${error.message}`, {
              cause: error,
            }),
          );
      });
      ws.on("message", (raw: Buffer, isBinary: boolean) => {
        if (isBinary && greeted) {
          try {
            link.onDeliveries(raw);
          } catch (cause) {
            ws.terminate();
            link.#fail(new StreamProtocolError("The server sent a malformed delivery frame.", { cause }));
          }
          return;
        }
        let frame: ServerFrame;
        try {
          frame = JSON.parse(raw.toString("utf8")) as ServerFrame;
        } catch (cause) {
          ws.terminate();
          link.#fail(new StreamProtocolError("The server sent a frame that is not JSON.", { cause }));
          return;
        }
        if (!greeted) {
          if (frame.t !== "hello") return;
          if (frame.v !== PROTOCOL_VERSION) {
            ws.terminate();
            reject(
              new StreamProtocolError(
                `The Weir server at ${url} speaks stream protocol v${String(frame.v)}, this client ` +
                  `v${PROTOCOL_VERSION}: use matching versions of @weir/stream and the Weir server.`,
              ),
            );
            return;
          }
          greeted = true;
          link.maxEventBytes = frame.maxEventBytes;
          resolve(link);
          return;
        }
        link.#dispatch(frame);
      });
      ws.on("close", (code, reason) => {
        const why = reason.toString() || `code ${code}`;
        if (!greeted && code === VERSION_MISMATCH_CLOSE_CODE)
          reject(new StreamProtocolError(`The Weir server at ${url} refused this client (${why}).`));
        else if (!greeted)
          reject(new StreamConnectionError(`The Weir server at ${url} closed the stream (${why}).`));
        link.#fail(new StreamConnectionError(`Lost the connection to the Weir server at ${url} (${why}).`));
      });
    });
  }

  get open(): boolean {
    return this.#closedError === undefined && this.#ws.readyState === WebSocket.OPEN;
  }

  /** Bytes queued in the socket and not yet sent. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  nextRequestId(): number {
    return this.#nextRequest++;
  }

  send(frame: ClientFrame): void {
    if (this.#closedError) throw this.#closedError;
    this.#ws.send(JSON.stringify(frame));
  }

  /**
   * Sends a frame carrying `r` and resolves with the answer frame. `onAnswer`, when given, sees the
   * answer as it arrives, before any later frame is handled (the promise resolves a tick later).
   */
  request(
    frame: ClientFrame & { r: number },
    timeoutMs: number,
    onAnswer?: (answer: ServerFrame) => void,
  ): Promise<ServerFrame> {
    return this.#request(frame.r, `"${frame.t}"`, JSON.stringify(frame), timeoutMs, onAnswer);
  }

  /** Sends a binary frame carrying request id `r` (a publish frame) and resolves with the answer. */
  requestBinary(r: number, what: string, frame: Buffer, timeoutMs: number): Promise<ServerFrame> {
    return this.#request(r, what, frame, timeoutMs);
  }

  #request(
    r: number,
    what: string,
    data: string | Buffer,
    timeoutMs: number,
    onAnswer?: (answer: ServerFrame) => void,
  ): Promise<ServerFrame> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(r);
        reject(new StreamTimeoutError(`The Weir server's answer to ${what}`, timeoutMs));
      }, timeoutMs);
      this.#pending.set(r, {
        resolve: (answer) => {
          clearTimeout(timer);
          try {
            onAnswer?.(answer);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      });
      try {
        this.#ws.send(data);
      } catch (error) {
        this.#pending
          .get(r)
          ?.reject(new StreamConnectionError("Cannot send to the Weir server.", { cause: error }));
        this.#pending.delete(r);
      }
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#ws.readyState === WebSocket.CLOSED) {
        resolve();
        return;
      }
      this.#ws.once("close", () => resolve());
      this.#ws.close(1000, "client closed");
      setTimeout(() => this.#ws.terminate(), 2000).unref();
    });
  }

  #dispatch(frame: ServerFrame): void {
    if ("r" in frame) {
      const pending = this.#pending.get(frame.r);
      if (pending) {
        this.#pending.delete(frame.r);
        pending.resolve(frame);
      }
      return;
    }
    this.onFrame(frame);
  }

  #fail(error: StreamError): void {
    if (this.#closedError) return;
    this.#closedError = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.onDrop(this);
  }
}
