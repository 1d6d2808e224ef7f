/**
 * The OpenAPI 3.1 document served at /openapi.json, written by hand next to the zod schemas in
 * apiSchemas.ts (the test checks every route of the app appears here).
 */
const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        field: { type: 'string' },
      },
    },
  },
}
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } })
const errors = {
  '400': { description: 'Bad input', ...json({ $ref: '#/components/schemas/Error' }) },
  '413': { description: 'Body too large', ...json({ $ref: '#/components/schemas/Error' }) },
  '415': { description: 'Not application/json', ...json({ $ref: '#/components/schemas/Error' }) },
  '429': {
    description: 'Rate limited (see Retry-After)',
    ...json({ $ref: '#/components/schemas/Error' }),
  },
}
const authErrors = {
  ...errors,
  '401': {
    description: 'Missing or invalid bearer token',
    ...json({ $ref: '#/components/schemas/Error' }),
  },
}
const secured = [{ bearer: [] }]
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' }
const hash32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' }
const ok = (description: string, schema: unknown = { type: 'object' }) => ({
  description,
  ...json(schema),
})
const id = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } })

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'heistguard API',
    version: '0.1.0',
    description:
      'Verify Safe transactions, list and acknowledge alerts, manage intents and receipts, run trace cases, screen addresses. Write endpoints need `Authorization: Bearer <token>` (create one with `heistguard serve token create`).',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: error,
      Alert: {
        type: 'object',
        required: [
          'id',
          'chainId',
          'blockNumber',
          'blockHash',
          'detector',
          'severity',
          'title',
          'state',
        ],
        properties: {
          id: { type: 'string' },
          chainId: { type: 'integer' },
          blockNumber: { type: 'integer' },
          blockHash: hash32,
          txHash: { oneOf: [hash32, { type: 'null' }] },
          detector: { type: 'string' },
          severity: { enum: ['info', 'low', 'medium', 'high', 'critical'] },
          title: { type: 'string' },
          details: { type: 'object' },
          state: { enum: ['live', 'retracted'] },
          revision: { type: 'integer' },
          createdAt: { type: 'integer' },
          ack: {
            oneOf: [
              { type: 'null' },
              {
                type: 'object',
                properties: {
                  by: { type: 'string' },
                  at: { type: 'integer' },
                  note: { type: ['string', 'null'] },
                },
              },
            ],
          },
        },
      },
      AlertInput: {
        type: 'object',
        additionalProperties: false,
        required: ['chainId', 'blockNumber', 'blockHash', 'detector', 'severity', 'title'],
        properties: {
          id: { type: 'string' },
          chainId: { type: 'integer' },
          blockNumber: { type: 'integer' },
          blockHash: hash32,
          txHash: { oneOf: [hash32, { type: 'null' }] },
          detector: { type: 'string' },
          severity: { enum: ['info', 'low', 'medium', 'high', 'critical'] },
          title: { type: 'string' },
          details: { type: 'object' },
        },
      },
      Intent: {
        type: 'object',
        additionalProperties: false,
        required: ['chainId', 'from', 'to', 'maxAmount', 'validFrom', 'validUntil'],
        properties: {
          id: { type: 'string' },
          chainId: { type: 'integer' },
          from: address,
          to: address,
          token: { oneOf: [address, { type: 'null' }] },
          maxAmount: { type: 'string', pattern: '^[0-9]+$' },
          validFrom: { type: 'integer', description: 'unix seconds' },
          validUntil: { type: 'integer', description: 'unix seconds' },
          note: { type: 'string' },
          state: { enum: ['open', 'used', 'cancelled'] },
        },
      },
      Receipt: {
        type: 'object',
        additionalProperties: false,
        required: ['safeTxHash', 'signer', 'verdict', 'time', 'document'],
        properties: {
          safeTxHash: hash32,
          signer: address,
          verdict: { enum: ['pass', 'warn', 'block'] },
          time: { type: 'integer' },
          document: { type: 'object' },
        },
      },
      ScreenResult: {
        type: 'object',
        properties: {
          address,
          risk: { enum: ['none', 'low', 'medium', 'high', 'severe'] },
          reasons: {
            type: 'array',
            items: { type: 'string' },
            description:
              'For people, most serious first; amounts in token units with the symbol where known (e.g. "holds 10,000 ETH of bybit-tainted funds (100% of its balance)").',
          },
          direct: {
            type: 'array',
            items: { type: 'object' },
            description:
              'Direct exposure per heist, token and role; `holds` and `received` are exact base-unit decimal strings (wei for ETH) for machines.',
          },
          indirect: { type: 'array', items: { type: 'object' } },
          labels: { type: 'array', items: { type: 'object' } },
          indexed: { type: 'boolean' },
        },
      },
      Verdict: {
        type: 'object',
        description: 'Same document as `heistguard verify --json` (bigints as decimal strings).',
        properties: {
          verdict: { enum: ['pass', 'warn', 'block'] },
          hashes: {
            type: 'object',
            properties: { domainHash: hash32, messageHash: hash32, safeTxHash: hash32 },
          },
          findings: { type: 'array', items: { type: 'object' } },
          calls: { type: 'array', items: { type: 'object' } },
        },
      },
    },
  },
  paths: {
    '/api/health': {
      get: { summary: 'Liveness and what is configured', responses: { '200': ok('ok') } },
    },
    '/api/verify': {
      post: {
        summary:
          'Verify a SafeTx (our JSON or Safe Transaction Service JSON); same Verdict as the CLI',
        requestBody: json({ type: 'object' }),
        responses: { '200': ok('Verdict', { $ref: '#/components/schemas/Verdict' }), ...errors },
      },
    },
    '/api/alerts': {
      get: {
        summary: 'List alerts, newest first',
        parameters: ['state', 'severity', 'detector', 'acked', 'chainId', 'limit'].map((name) => ({
          name,
          in: 'query',
          schema: { type: 'string' },
        })),
        responses: {
          '200': ok('alerts', {
            type: 'object',
            properties: {
              alerts: { type: 'array', items: { $ref: '#/components/schemas/Alert' } },
            },
          }),
          ...errors,
        },
      },
      post: {
        summary: 'Record an alert from an external detector',
        security: secured,
        requestBody: json({ $ref: '#/components/schemas/AlertInput' }),
        responses: {
          '201': ok('stored alert', { $ref: '#/components/schemas/Alert' }),
          ...authErrors,
        },
      },
    },
    '/api/alerts/{id}': {
      get: {
        summary: 'One alert',
        parameters: [id('id')],
        responses: { '200': ok('alert'), '404': ok('not found', error) },
      },
    },
    '/api/alerts/{id}/ack': {
      post: {
        summary: 'Acknowledge an alert (first acknowledgement wins)',
        security: secured,
        parameters: [id('id')],
        requestBody: json({ type: 'object', properties: { note: { type: 'string' } } }),
        responses: {
          '200': ok('acknowledged alert'),
          '404': ok('not found', error),
          ...authErrors,
        },
      },
    },
    '/api/alerts/stream': {
      get: {
        summary:
          'Server-sent events: `event: alert` with the alert JSON, for every new or changed alert',
        responses: { '200': { description: 'text/event-stream' } },
      },
    },
    '/api/intents': {
      get: { summary: 'List intents', responses: { '200': ok('intents') } },
      post: {
        summary: 'Create an intent (approved outflow)',
        security: secured,
        requestBody: json({ $ref: '#/components/schemas/Intent' }),
        responses: { '201': ok('intent'), ...authErrors },
      },
    },
    '/api/intents/{id}': {
      get: {
        summary: 'One intent',
        parameters: [id('id')],
        responses: { '200': ok('intent'), '404': ok('not found', error) },
      },
      patch: {
        summary: 'Change the state of an intent',
        security: secured,
        parameters: [id('id')],
        requestBody: json({
          type: 'object',
          properties: { state: { enum: ['open', 'used', 'cancelled'] } },
        }),
        responses: { '200': ok('intent'), '404': ok('not found', error), ...authErrors },
      },
      delete: {
        summary: 'Cancel an intent',
        security: secured,
        parameters: [id('id')],
        responses: { '200': ok('intent'), '404': ok('not found', error), ...authErrors },
      },
    },
    '/api/receipts': {
      post: {
        summary: 'Store a verification receipt',
        security: secured,
        requestBody: json({ $ref: '#/components/schemas/Receipt' }),
        responses: { '201': ok('receipt'), ...authErrors },
      },
    },
    '/api/receipts/{safeTxHash}': {
      get: {
        summary: 'Receipts of one SafeTx',
        parameters: [id('safeTxHash')],
        responses: { '200': ok('receipts'), ...errors },
      },
    },
    '/api/trace/cases': {
      get: { summary: 'List case ids', responses: { '200': ok('ids') } },
      post: {
        summary: 'Run a trace case and store its report',
        security: secured,
        requestBody: json({
          type: 'object',
          required: ['request'],
          properties: { id: { type: 'string' }, request: { type: 'object' } },
        }),
        responses: {
          '201': ok('case'),
          '501': ok('no trace runner configured', error),
          ...authErrors,
        },
      },
    },
    '/api/trace/cases/{id}/report.html': {
      get: {
        summary: 'The case report as one self-contained HTML file (download)',
        parameters: [id('id')],
        responses: {
          '200': { description: 'text/html' },
          '404': ok('not found', error),
          '422': ok('not a trace report', error),
        },
      },
    },
    '/api/trace/cases/{id}': {
      get: {
        summary: 'One case with its report',
        parameters: [id('id')],
        responses: { '200': ok('case'), '404': ok('not found', error) },
      },
    },
    '/api/screen/{address}': {
      get: {
        summary: 'Screen one address',
        parameters: [id('address')],
        responses: {
          '200': ok('result', { $ref: '#/components/schemas/ScreenResult' }),
          ...errors,
        },
      },
    },
    '/api/screen': {
      post: {
        summary: 'Screen up to 10,000 addresses',
        requestBody: json({
          type: 'object',
          required: ['addresses'],
          properties: { addresses: { type: 'array', items: address, maxItems: 10000 } },
        }),
        responses: { '200': ok('results'), ...errors },
      },
    },
  },
} as const
