// Filled in by the bundler from package.json; the fallback serves runs from source (tsx).
declare const __TWINBEAT_VERSION__: string | undefined;
export const VERSION: string = typeof __TWINBEAT_VERSION__ === 'string' ? __TWINBEAT_VERSION__ : '0.0.0-dev';
