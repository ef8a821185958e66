/** The dtr-migrate version: `--version`, the `start` event of `--json`, the journal's runs and the report. */
export const toolVersion = '0.1.0';
