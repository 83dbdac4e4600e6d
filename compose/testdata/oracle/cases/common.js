'use strict';
// Shared headers for generated cases: a Federation 2 @link importing the
// usual directives, at a chosen version.
const ALL = ['@key', '@shareable', '@external', '@requires', '@provides', '@override', '@inaccessible', '@tag', '@interfaceObject', '@composeDirective'];
function fed(version = '2.3', imports = ALL) {
  return `extend schema @link(url: "https://specs.apollo.dev/federation/v${version}", import: ${JSON.stringify(imports)})\n`;
}
module.exports = { fed, H: fed() };
