"use strict";exports.main = async function main(event) { if (event.fail === 'line1') { throw new Error('boom on line 1') }
  if (event.fail === 'throw') {
    throw new Error('boom from ts');
  }
  if (event.fail === 'reject') {
    return Promise.reject(new Error('rejected from ts'));
  }
  return require('./lib/helper').helper(event);
};
