// Requests and errors per day, with Chart.js (only the pieces a bar chart needs, so the bundle stays small).
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export function drawDailyChart(
  canvas: HTMLCanvasElement,
  days: { day: string; requests: number; errors: number }[],
): () => void {
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: days.map((d) => d.day.slice(5)),
      datasets: [
        { label: 'Successful', data: days.map((d) => d.requests - d.errors), backgroundColor: '#1f6feb', stack: 's' },
        { label: 'Errors', data: days.map((d) => d.errors), backgroundColor: '#b42318', stack: 's' },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  return () => chart.destroy();
}
