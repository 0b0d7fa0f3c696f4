// The map: choropleth, registered on the same plotly core (a shared chunk), loaded only when a figure needs it.
import Plotly from 'plotly.js/lib/core';
import choropleth from 'plotly.js/lib/choropleth';

Plotly.register([choropleth]);
export default Plotly;
