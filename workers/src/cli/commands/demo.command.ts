import { seedRecordsDemo } from '../../records/demo/seed-records-demo';
import { UsageError, type CliCommand } from '../cli-command';

export const demoCommand: CliCommand = {
  name: 'demo',
  usage: '[--files <n>]',
  summary: 'seed the records demo data (file plans, parties, files and documents) into an empty database',
  async run(args, ctx) {
    let files: number | undefined;
    if (args.length) {
      files = Number(args[1]);
      if (args[0] !== '--files' || !Number.isInteger(files) || files < 1) throw new UsageError('demo [--files <n>]');
    }
    const seeded = await seedRecordsDemo(ctx, { files });
    ctx.out(seeded ? 'demo data seeded' : 'the database already has a file plan; nothing seeded');
    return 0;
  },
};
