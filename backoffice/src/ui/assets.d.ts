// esbuild bundles CSS imported by the browser client into a .css file beside the .js
declare module '*.css';
