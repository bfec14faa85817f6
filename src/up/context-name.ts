/** The CLI context `meseta up` records for itself (light: `--help` shows it). */
export const UP_CONTEXT = 'meseta-up';
