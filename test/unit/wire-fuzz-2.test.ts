import { test } from 'uvu';
import { defineFuzz } from '../helpers/wire-fuzz';

defineFuzz(2);
test.run();
