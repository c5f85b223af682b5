import { test } from 'uvu';
import { defineFuzz } from '../helpers/wire-fuzz';

defineFuzz(1);
test.run();
