import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** Which y axis: the left (default) or the right one. */
  scale?: 'y' | 'y2';
  bars?: boolean;
}

interface ChartProps {
  /** X values in seconds since the epoch. */
  x: number[];
  series: ChartSeries[];
  yLabel: string;
  y2Label?: string;
  height?: number;
  /** What the chart shows, for screen readers (the data is also in a table or text next to it). */
  title: string;
}

/** A uPlot chart sized to its container; redrawn when the data changes. */
export function Chart({ x, series, yLabel, y2Label, height = 260, title }: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height,
      series: [
        {},
        ...series.map((entry) => ({
          label: entry.label,
          stroke: entry.color,
          fill: entry.bars ? `${entry.color}88` : undefined,
          width: 2,
          scale: entry.scale ?? 'y',
          ...(entry.bars && bars ? { paths: bars } : {}),
        })),
      ],
      axes: [
        { stroke: '#333' },
        { label: yLabel, stroke: '#333', scale: 'y' },
        ...(y2Label
          ? [{ label: y2Label, stroke: '#333', scale: 'y2', side: 1 as const, grid: { show: false } }]
          : []),
      ],
      // One point alone would stretch the axis over years: give it a minute either side.
      scales: {
        x: { time: true, range: (_plot, min, max) => (min === max ? [min - 60, max + 60] : [min, max]) },
      },
    };
    const plot = new uPlot(
      options,
      [x, ...series.map((entry) => entry.values)] as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(280, element.clientWidth), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, yLabel, y2Label, height]);
  return <div class="chart" ref={container} role="img" aria-label={title} />;
}
