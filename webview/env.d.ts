// esbuild bundles the page's stylesheet into dist/webview.css; the import has no value.
declare module '*.css';
