// Every page's charts: horizontal bars and line series (scatter is part of plotly's core).
import Plotly from 'plotly.js/lib/core';
import bar from 'plotly.js/lib/bar';

Plotly.register([bar]);
export default Plotly;
