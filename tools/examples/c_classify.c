/* c_classify MODEL IMAGE: the top 5 classes of a photo through the C API. */
#include <espnet/espnet_c.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s MODEL IMAGE\n", argv[0]);
    return 2;
  }
  espnet_model* model = NULL;
  espnet_session* session = NULL;
  uint8_t* rgb = NULL;
  int width = 0, height = 0, status = 1;

  if (espnet_model_load(argv[1], 0, &model) != ESPNET_OK ||
      espnet_session_create(model, 0, &session) != ESPNET_OK ||
      espnet_image_decode(argv[2], &rgb, &width, &height) != ESPNET_OK) {
    fprintf(stderr, "error: %s\n", espnet_last_error());
    goto done;
  }
  espnet_class_score top[5];
  size_t count = 0;
  if (espnet_classify_rgb8(session, rgb, (size_t)width * height * 3, width, height, 5, top,
                           &count) != ESPNET_OK) {
    fprintf(stderr, "error: %s\n", espnet_last_error());
    goto done;
  }
  for (size_t i = 0; i < count; ++i)
    printf("%4d  %-30s %.4f\n", top[i].index, top[i].name, top[i].probability);
  status = 0;
done:
  espnet_image_free(rgb);
  espnet_session_free(session);
  espnet_model_free(model);
  return status;
}
