// describe turns any value into a JSON-able description that keeps what JSON loses
// (undefined, Dates, class names, non-finite numbers, error properties). The Go tests and
// gen.js both use it, so results of Minicloud's module and of the real SDK compare as
// strings.
(function () {
  function describe(v) {
    if (v === undefined) return { $undefined: true };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') {
      if (!isFinite(v)) return { $number: String(v) };
      if (v === 0 && 1 / v < 0) return { $number: '-0' };
      return v;
    }
    if (typeof v === 'function') return { $function: true };
    if (typeof v === 'symbol') return { $symbol: String(v) };
    if (v instanceof Date) return { $date: v.getTime() };
    if (v instanceof RegExp) return { $regexp: String(v) };
    if (Array.isArray(v)) return v.map(describe);
    if (v instanceof Error) {
      const o = { $error: v.constructor && v.constructor.name, message: v.message };
      const keys = Object.keys(v).filter((k) => k !== 'stack');
      for (const k of keys) o['.' + k] = describe(v[k]);
      for (const k of ['errCode', 'errMsg', 'code', 'requestId', 'requestID']) {
        if (keys.indexOf(k) < 0 && v[k] !== undefined) o['~' + k] = describe(v[k]);
      }
      return o;
    }
    const out = {};
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      out.$class = (v.constructor && v.constructor.name) || '?';
    }
    for (const k of Object.keys(v)) out[k] = describe(v[k]);
    return out;
  }
  return function (v) { return JSON.stringify(describe(v)); };
})()
