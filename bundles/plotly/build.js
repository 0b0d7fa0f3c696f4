// Builds Innenfor's plotly.js (pinned in package.json / package-lock.json) into assets/vendor/plotly/ as ES
// modules with content-hashed names, and writes assets/plotly_loader.js pointing at them. Run by `make
// plotly-bundle`; the output is committed, so serving the app needs no node.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'assets', 'vendor', 'plotly');

fs.rmSync(OUT, { recursive: true, force: true });
const result = esbuild.buildSync({
    entryPoints: { cartesian: path.join(__dirname, 'src', 'cartesian.js'), geo: path.join(__dirname, 'src', 'geo.js') },
    outdir: OUT,
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    target: 'es2020',
    entryNames: '[name]-[hash]',
    chunkNames: 'core-[hash]',
    legalComments: 'linked',
    // plotly's registry imports maplibre's stylesheet for map traces, which this build leaves out
    loader: { '.css': 'empty' },
    define: { global: 'window', 'define.amd': 'false' },
    metafile: true,
    logLevel: 'warning',
});
const names = {};
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint) names[path.basename(meta.entryPoint, '.js')] = path.basename(file);
}
const loader = fs.readFileSync(path.join(__dirname, 'src', 'loader.js'), 'utf8')
    .replace('__CARTESIAN__', JSON.stringify('vendor/plotly/' + names.cartesian))
    .replace('__GEO__', JSON.stringify('vendor/plotly/' + names.geo));
fs.writeFileSync(path.join(ROOT, 'assets', 'plotly_loader.js'), loader);
for (const file of fs.readdirSync(OUT).sort()) {
    console.log(`assets/vendor/plotly/${file}  ${fs.statSync(path.join(OUT, file)).size} bytes`);
}
