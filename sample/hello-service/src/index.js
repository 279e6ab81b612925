// hello-service: answers with a greeting built by the shared `greeting` module, which comes from a layer.
'use strict';
const { greet } = require('greeting');

exports.handler = async (event) => {
  const name = event && typeof event.name === 'string' && event.name ? event.name : 'world';
  return {
    statusCode: 200,
    body: JSON.stringify({ message: greet(name), version: process.env.AWS_LAMBDA_FUNCTION_VERSION || 'local' }),
  };
};
