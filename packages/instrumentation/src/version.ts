/** The version reported as the instrumentation scope version. */
export const PACKAGE_VERSION = '0.1.0';
