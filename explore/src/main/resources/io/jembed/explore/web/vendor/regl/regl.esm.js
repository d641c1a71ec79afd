// regl 2.1.1 ships a UMD bundle only: app.js loads regl.min.js as a classic script, which sets
// globalThis.createREGL; this module hands it to regl-scatterplot's `import createRegl from 'regl'`.
export default globalThis.createREGL;
