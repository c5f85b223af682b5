import { test } from 'uvu';
import { defineFuzz } from '../helpers/wire-fuzz';

defineFuzz(3);
test.run();
