import type { KeyboardEvent, ReactNode } from "react";
import { useRef } from "react";

export interface TabDef {
  id: string;
  label: string;
}

/**
 * WAI-ARIA tabs: arrow keys move between tabs, the active panel is labelled by its tab.
 * @example <Tabs tabs={[{ id: "logs", label: "Logs" }]} active="logs" onSelect={setTab} idPrefix="run">…</Tabs>
 */
export function Tabs(props: {
  tabs: TabDef[];
  active: string;
  onSelect: (id: string) => void;
  idPrefix: string;
  children: ReactNode;
}): ReactNode {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, index: number): void => {
    const n = props.tabs.length;
    let next = -1;
    if (e.key === "ArrowRight") next = (index + 1) % n;
    else if (e.key === "ArrowLeft") next = (index - 1 + n) % n;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = n - 1;
    if (next < 0) return;
    e.preventDefault();
    props.onSelect(props.tabs[next]!.id);
    refs.current[next]?.focus();
  };
  return (
    <>
      <div className="tabs" role="tablist" aria-label="Run views">
        {props.tabs.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            role="tab"
            type="button"
            id={`${props.idPrefix}-tab-${t.id}`}
            aria-selected={t.id === props.active}
            aria-controls={`${props.idPrefix}-panel`}
            tabIndex={t.id === props.active ? 0 : -1}
            onClick={() => props.onSelect(t.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${props.idPrefix}-panel`}
        aria-labelledby={`${props.idPrefix}-tab-${props.active}`}
        className="tabpanel"
      >
        {props.children}
      </div>
    </>
  );
}
