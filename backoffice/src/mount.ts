import type Koa from 'koa';

/** Serves a middleware under a path prefix (koa-mount is not installed; this is all it does here). */
export default function mount<S>(prefix: string, mw: Koa.Middleware<S>): Koa.Middleware<S> {
  return async (ctx, next) => {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    const original = ctx.path;
    ctx.path = ctx.path.slice(prefix.length) || '/';
    try {
      await mw(ctx, async () => {
        ctx.path = original;
        await next();
        ctx.path = ctx.path.slice(prefix.length) || '/';
      });
    } finally {
      ctx.path = original;
    }
  };
}
