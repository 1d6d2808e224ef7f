import { createRequire } from 'node:module'
import { BaseError } from '../../core/BaseError.js'
import { messageBody, messageLine, type Notifier } from './Notifier.js'

const requireCjs = createRequire(import.meta.url)

export type EmailNotifierOptions = {
  host: string
  port: number
  /** Implicit TLS (port 465). STARTTLS is used when the server offers it unless `ignoreTLS`. */
  secure?: boolean
  ignoreTLS?: boolean
  user?: string
  password?: string
  from: string
  to: string[]
  name?: string
}

/**
 * Sends each message as an email over SMTP (nodemailer). The message id goes into the
 * `Message-ID`-derived header `X-Heistguard-Id` so mail filters can dedupe.
 *
 * @example
 * createEmailNotifier({ host: 'smtp.example', port: 587, from: 'hg@example', to: ['soc@example'] })
 */
export function createEmailNotifier(options: EmailNotifierOptions): Notifier {
  const nodemailer = requireCjs('nodemailer') as typeof import('nodemailer')
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    ignoreTLS: options.ignoreTLS ?? false,
    auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    socketTimeout: 10_000,
  })
  return {
    name: options.name ?? 'email',
    async send(message) {
      try {
        await transport.sendMail({
          from: options.from,
          to: options.to,
          subject: `heistguard: ${messageLine(message)}`.slice(0, 200),
          text: `${messageLine(message)}\n\n${JSON.stringify(messageBody(message), null, 2)}\n`,
          headers: { 'X-Heistguard-Id': message.messageId },
        })
      } catch (error) {
        throw new BaseError(
          `SMTP delivery to ${options.host}:${options.port} failed: ${(error as Error).message}`,
          { code: 'NOTIFY_FAILED' },
        )
      }
    },
  }
}
