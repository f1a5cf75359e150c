// Resolve settings for dependency-cruiser (.dependency-cruiser.cjs): demos
// import the package by its name ('qdistill'), which is the public entry.
const { join } = require('node:path');

module.exports = { resolve: { alias: { qdistill$: join(__dirname, '..', 'sdk', 'index.ts') } } };
