// A function using a pure-JS package from its own node_modules.
const _ = require('minidash');
const chunk = require('minidash/lib/chunk');
const scoped = require('@scope/pkg');
const exportsy = require('exportsy');
const util = require('./lib/util');

exports.main = async (event) => {
  return {
    chunks: _.chunk(event.items, 2),
    direct: chunk(event.items, 3),
    sum: _.sum(event.items),
    picked: _.pick({ a: 1, b: 2, c: 3 }, ['a', 'c']),
    scoped: scoped.name,
    exportsy: exportsy.kind,
    helper: util.double(21),
    sameInstance: require('minidash') === _,
  };
};
