#!/usr/bin/env node
// The `pipe` command: runs the compiled CLI (built by `npm install` through the prepare script).
import { main } from '../dist/pipe.mjs';

process.exitCode = await main(process.argv.slice(2));
