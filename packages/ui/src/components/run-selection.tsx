import type { ReactNode } from "react";
import { useState } from "react";

import { href, Link } from "../router.js";

/** The runs ticked in a list, in the order they were ticked. */
export interface RunSelection {
  selected: readonly string[];
  toggle: (id: string) => void;
  clear: () => void;
}

/** The most runs one comparison shows: past it, a chart's lines are no longer told apart. */
export const MAX_COMPARED = 8;

/**
 * Runs ticked for comparison (at most {@link MAX_COMPARED}; ticking another drops the oldest).
 * @example const selection = useRunSelection(); <RunTable selection={selection} … />
 */
export function useRunSelection(): RunSelection {
  const [selected, setSelected] = useState<string[]>([]);
  return {
    selected,
    toggle: (id) =>
      setSelected((old) =>
        old.includes(id) ? old.filter((x) => x !== id) : [...old, id].slice(-MAX_COMPARED),
      ),
    clear: () => setSelected([]),
  };
}

/** "Compare 3 runs" once two or more are ticked, with a way to untick them all. */
export function CompareBar({ selection }: { selection: RunSelection }): ReactNode {
  const n = selection.selected.length;
  return (
    <div className="compare-bar" role="group" aria-label="Compare runs">
      {n < 2 ? (
        <span className="muted small">Tick two or more runs to compare them.</span>
      ) : (
        <Link className="button" to={href("/compare", { runs: selection.selected.join(",") })}>
          Compare {n} runs
        </Link>
      )}
      {n > 0 && (
        <button type="button" className="link-button" onClick={selection.clear}>
          Clear selection ({n})
        </button>
      )}
    </div>
  );
}
