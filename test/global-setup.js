// Runs once before the suites: the addon must be loadable, or every suite
// would fail with the same message. Say how to build it instead.
const path = require('path');

module.exports = async function globalSetup() {
  try {
    require('node-gyp-build').path(path.join(__dirname, '..'));
  } catch (err) {
    throw new Error(
      `The native addon is not built (${err.message}).\n` +
        'Run `npm run build:native` (cmake-js, needs cmake and a C++17 compiler), then `npx jest` again; ' +
        '`npm test` does both.',
    );
  }
};
