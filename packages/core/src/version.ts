/** The version of this package, as in its package.json (a test keeps the two equal). */
export const PACKAGE_VERSION = '0.1.0';
