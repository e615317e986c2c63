"use strict";
exports.helper = function helper(event) {
  if (event.fail === 'helper') {
    throw new TypeError('bad helper input');
  }
  return { ok: true };
};
