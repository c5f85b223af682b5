import { test } from 'uvu';
import { defineFuzz } from '../helpers/wire-fuzz';

defineFuzz(4);
test.run();
