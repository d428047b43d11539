// Ink imports react-devtools-core only for DEV=true; the bundle replaces it with this no-op.
export default { initialize() {}, connectToDevTools() {} };
