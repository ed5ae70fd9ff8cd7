#!/usr/bin/env node
// Honours the MailGoat contract: the FN-06 control must pass it.
import { main } from './fake-cli.mjs';

main();
