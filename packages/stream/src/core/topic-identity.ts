import { StreamError, TopicChangedError } from "../errors.js";

/**
 * The incarnation of the topic one subscription reads (`Subscription.topicId`): learned when the
 * subscription first attaches, and checked every time it attaches again, so that a subscription
 * never moves silently to a topic that was deleted and created again (whose offsets started over).
 *
 * @example
 * const identity = new TopicIdentity("river_pipeline");
 * const changed = identity.attached(topicIdFromBackend);
 * if (changed) fail(changed); // else deliver events stamped with identity.value
 */
export class TopicIdentity {
  /** Resolves with the first identity seen; rejects if the subscription ends before that. */
  readonly promise: Promise<string>;
  #value: string | undefined;
  #resolve!: (topicId: string) => void;
  #reject!: (error: unknown) => void;

  constructor(readonly topic: string) {
    this.promise = new Promise<string>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Most applications never await it: its rejection must not be reported as unhandled.
    this.promise.catch(() => undefined);
  }

  /** The identity once attached, else undefined. */
  get value(): string | undefined {
    return this.#value;
  }

  /**
   * Records the identity the backend reports at an attach. Returns the error to end the
   * subscription with when it differs from the one the subscription attached to first.
   */
  attached(topicId: string): TopicChangedError | undefined {
    if (this.#value === undefined) {
      this.#value = topicId;
      this.#resolve(topicId);
      return undefined;
    }
    return topicId === this.#value ? undefined : new TopicChangedError(this.topic, this.#value, topicId);
  }

  /** The subscription ended: a pending `promise` rejects with `error` (or a `WEIR_CLOSED` error). */
  ended(error?: unknown): void {
    if (this.#value !== undefined) return;
    this.#reject(
      error ??
        new StreamError(
          "WEIR_CLOSED",
          `The subscription to topic "${this.topic}" was closed before it attached to the topic.`,
        ),
    );
  }
}
