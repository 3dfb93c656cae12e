import type { ReactNode } from "react";

/**
 * The frame of an SVG chart: a grid line and a label for each y tick, and the times at the two
 * ends of the x axis. Hidden from screen readers (the marks carry the figures).
 * @example <ChartAxes width={W} height={180} pad={PAD} ticks={[{ value: 0, label: "0" }]} y={y} start="10:00" end="11:00" />
 */
export function ChartAxes(props: {
  width: number;
  height: number;
  pad: { top: number; right: number; bottom: number; left: number };
  ticks: { value: number; label: string }[];
  y: (value: number) => number;
  start: string;
  end: string;
}): ReactNode {
  const { width, height, pad, y } = props;
  return (
    <>
      {props.ticks.map((t) => (
        <g key={t.value} aria-hidden="true">
          <line className="grid" x1={pad.left} x2={width - pad.right} y1={y(t.value)} y2={y(t.value)} />
          <text className="axis" x={pad.left - 6} y={y(t.value) + 4} textAnchor="end">
            {t.label}
          </text>
        </g>
      ))}
      <text className="axis" x={pad.left} y={height - 6} aria-hidden="true">
        {props.start}
      </text>
      <text className="axis" x={width - pad.right} y={height - 6} textAnchor="end" aria-hidden="true">
        {props.end}
      </text>
    </>
  );
}
