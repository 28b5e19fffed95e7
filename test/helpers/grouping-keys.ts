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
