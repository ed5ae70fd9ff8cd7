#!/usr/bin/env node
// `send` reports success with a Postal id, but the message never reaches any inbox.
import { main } from './fake-cli.mjs';

main({ neverDelivers: true });
