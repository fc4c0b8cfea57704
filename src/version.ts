// The package version, as pg8000's `__version__`. A constant rather than a read of
// package.json, so that browsers and bundlers need no file access or JSON import;
// test/unit/version.test.ts keeps it equal to package.json's "version".

export const version = "0.1.0";
export const __version__ = version;
