/**
 * A class label. Numbers, strings and booleans are all accepted. Unlike Python, `true` and `1`
 * are different labels for models (a `Map` key); confusion matrices follow Python's equality
 * (`true` counts as `1`) so that mixed boolean/number streams score like River.
 *
 * @example
 * ```ts
 * const y: Label = 1; // or "positive", or true
 * ```
 */
export type Label = number | string | boolean;

/**
 * Sparse features in insertion order: feature name → value.
 *
 * @example
 * ```ts
 * const x: Features = new Map([["good", 2], ["food", 1]]);
 * ```
 */
export type Features = Map<string, number>;

/**
 * Features as accepted by estimators: a `Map` (order kept) or a plain record.
 *
 * @example
 * ```ts
 * nb.learnOne({ good: 2, food: 1 }, 1);
 * ```
 */
export type FeatureInput = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

/**
 * A text, or a record holding the text in a field (see the `on` option of vectorizers).
 *
 * @example
 * ```ts
 * new BagOfWords({ on: "text" }).transformOne({ text: "Great food" });
 * ```
 */
export type TextInput = string | Readonly<Record<string, unknown>>;

/**
 * Probabilities per label, in the order the labels were first seen.
 *
 * @example
 * ```ts
 * const p: Proba = model.predictProbaOne("great food"); p.get(1);
 * ```
 */
export type Proba = Map<Label, number>;
