// js-libp2p 3.x targets Node 22; Node 20 lacks Promise.withResolvers. Load with
// `node --import ./polyfill.mjs script.mjs`. A no-op on Node 22+.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve, reject
    const promise = new this((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
