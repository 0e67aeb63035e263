import packageJson from '../package.json' with { type: 'json' };

/** The release this code belongs to, from package.json; reported by /info. */
export const APP_VERSION: string = packageJson.version;
