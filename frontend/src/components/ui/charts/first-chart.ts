declare global {
  interface Window {
    /** ms since navigation start when the first chart with data was drawn (read by the benchmark). */
    __vigilFirstChartMs?: number;
  }
}

/** Records the first time a chart with data reaches the screen. */
export function markChartDrawn(): void {
  if (typeof window === 'undefined' || window.__vigilFirstChartMs !== undefined) return;
  window.__vigilFirstChartMs = performance.now();
  performance.mark?.('vigil:first-chart');
}
