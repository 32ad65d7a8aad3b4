/** This package's version, written into `aws.xray.sdk_version`. A test keeps it equal to package.json. */
export const VERSION = '0.1.0';
/** The SDK name written into `aws.xray.sdk`. */
export const SDK_NAME = '@cruddur/middleware for Node.js';
