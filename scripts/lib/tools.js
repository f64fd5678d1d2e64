// Small helpers the packaging scripts share: finding a program on PATH.
'use strict';
const fs = require('fs');
const path = require('path');

/** The full path of `name` on PATH (or as given when it has a slash), else null. */
function which(name, envPath = process.env.PATH || '') {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const d of envPath.split(path.delimiter)) {
    if (!d) continue;
    const p = path.join(d, name);
    if (isExecutable(p)) return p;
  }
  return null;
}

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

const onPath = (name) => which(name) !== null;

module.exports = { which, onPath };
