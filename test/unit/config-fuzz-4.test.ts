import { test } from 'uvu';
import { defineConfigFuzz } from '../helpers/config-fuzz';

defineConfigFuzz(test, 4);
test.run();
