// Every key by which Agnost (or another OTel backend) may group a span into a user and a session,
// with the values a span of (userId, conversationId) must carry.
export function groupingKeys(userId: string, conversationId: string) {
  return {
    'mastra.metadata.userId': userId,
    'mastra.metadata.conversationId': conversationId,
    'mastra.metadata.threadId': conversationId,
    'gen_ai.conversation.id': conversationId,
    'agnost.user_id': userId,
    'agnost.session_id': conversationId,
    'user.id': userId,
    'session.id': conversationId,
  };
}

/**
 * The keys Agnost groups by, which win over the others: on every span of a turn, a sub-agent's
 * included (Mastra gives a sub-agent a memory thread of its own, `<conversation>-<uuid>`, so its
 * spans' thread keys differ). What a product's own tests assert.
 */
export function agnostKeys(userId: string, conversationId: string) {
  return { 'agnost.user_id': userId, 'agnost.session_id': conversationId };
}
